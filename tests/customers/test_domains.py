"""Table-driven cases for customers.domains.infer_domains (no database, no Django)."""

from __future__ import annotations

import pytest

from customers.domains import AccountDomains, email_domain, infer_domains, normalise_domain


def emails(domain: str, n: int, prefix: str = "u") -> list[list[str]]:
    """n one-address contacts at domain."""
    return [[f"{prefix}{i}@{domain}"] for i in range(n)]


def ad(primary=None, secondary=(), shared=None) -> AccountDomains:
    return AccountDomains(primary=primary, secondary=list(secondary), shared=dict(shared or {}))


CASES = [
    pytest.param(
        {"a": [["x@zeta.com"], ["y@zeta.com", "y@acme.com"], ["z@acme.com"]]},
        {},
        {"a": ad("zeta.com")},
        id="count-tie-broken-by-primary-address-count",
        marks=pytest.mark.smoke,
    ),
    pytest.param(
        {"a": [["x@zeta.com"], ["y@acme.com"]]},
        {},
        {"a": ad("acme.com")},
        id="full-tie-broken-alphabetically",
    ),
    pytest.param(
        {"a": [["x@gmail.com", "x@zeta.com"], ["y@gmail.com", "y@acme.com"]]},
        {},
        {"a": ad("acme.com")},
        id="free-mail-primary-address-votes-for-nothing",
    ),
    pytest.param(
        {
            "a": [
                ["not an address", "x@zeta.com", "x@acme.com"],
                ["y@zeta.com", "y@acme.com"],
                ["z@acme.com", "z@zeta.com"],
            ]
        },
        {},
        {"a": ad("zeta.com", ["acme.com"])},
        id="first-valid-address-is-the-primary-address",
    ),
    pytest.param(
        {"a": [["x@mail.acme.co.uk"], ["y@acme.co.uk"], ["z@eu.sales.acme.com"]]},
        {},
        {"a": ad("acme.co.uk")},
        id="sub-domains-and-country-code-suffixes",
    ),
    pytest.param(
        {"a": emails("acme.com", 4) + emails("eu.acme.de", 2, "d") + emails("acme.de", 1, "e")},
        {},
        {"a": ad("acme.com", ["acme.de"])},
        id="sub-domains-count-towards-registrable-domain",
    ),
    pytest.param(
        {"a": [[" ANN@ACME.COM "], ["bob@Acme.Com."], ["cy@MAIL.acme.com"]]},
        {},
        {"a": ad("acme.com")},
        id="upper-case-whitespace-trailing-dot",
    ),
    pytest.param(
        {"a": emails("acme.com", 4) + [["x@BÜCHER.de"], ["y@xn--bcher-kva.de"], ["z@bücher.DE"]]},
        {},
        {"a": ad("acme.com", ["xn--bcher-kva.de"])},
        id="idn-unicode-and-punycode-are-one-domain",
    ),
    pytest.param(
        {
            "a": [
                ["acme.com"],
                ["@acme.com"],
                ["a@@acme.com"],
                ["a b@acme.com"],
                ["a@localhost"],
                ["a@co.uk"],
                ["a@-acme.com"],
                ["a@acme_x.com"],
                ["a@10.0.0.1"],
                [""],
                [None],
            ]
        },
        {},
        {"a": ad(None)},
        id="addresses-that-are-not-addresses",
    ),
    pytest.param(
        {"a": [["Ann Smith <ann@acme.com>"], ["mailto:bob@acme.com"], ["<mailto:cy@beta.com>"]]},
        {},
        {"a": ad("acme.com")},
        id="display-names-and-mailto",
    ),
    pytest.param(
        {
            "a": [
                ["x@gmail.com"],
                ["y@googlemail.com"],
                ["z@hotmail.co.uk"],
                ["q@yahoo.co.uk"],
                ["r@outlook.com"],
                ["s@icloud.com"],
                ["t@proton.me"],
                ["u@gmx.de"],
                ["v@web.de"],
                ["w@mailinator.com"],
                ["k@tutanota.com"],
                ["m@inbox.ru"],
                ["n@mail.ru"],
            ]
        },
        {},
        {"a": ad(None)},
        id="all-free-mail-means-no-primary",
    ),
    pytest.param(
        {"a": emails("acme.com", 5) + emails("beta.com", 2, "b")},
        {},
        {"a": ad("acme.com")},
        id="exactly-two-contacts-is-not-a-secondary",
    ),
    pytest.param(
        {"a": emails("acme.com", 5) + emails("beta.com", 3, "b")},
        {},
        {"a": ad("acme.com", ["beta.com"])},
        id="exactly-three-contacts-is-a-secondary",
    ),
    pytest.param(
        {
            "a": emails("acme.com", 5) + emails("agency.com", 3, "g"),
            "b": emails("beta.com", 5) + emails("agency.com", 4, "h"),
        },
        {},
        {"a": ad("acme.com", [], {"agency.com": ["b"]}), "b": ad("beta.com", [], {"agency.com": ["a"]})},
        id="secondary-shared-by-two-accounts",
    ),
    pytest.param(
        {
            "a": emails("acme.com", 5) + emails("agency.com", 3, "g"),
            "b": emails("beta.com", 5) + emails("agency.com", 3, "g"),
            "c": emails("gamma.com", 5) + emails("agency.com", 1, "g"),
        },
        {},
        {
            "a": ad("acme.com", [], {"agency.com": ["b", "c"]}),
            "b": ad("beta.com", [], {"agency.com": ["a", "c"]}),
            "c": ad("gamma.com", [], {"agency.com": ["a", "b"]}),
        },
        id="secondary-shared-by-three-accounts",
    ),
    pytest.param(
        {"a": emails("acme.com", 5) + emails("agency.com", 3, "g"), "c": emails("gamma.com", 5)},
        {},
        {"a": ad("acme.com", ["agency.com"]), "c": ad("gamma.com")},
        id="removing-the-other-account-makes-it-unique-again",
    ),
    pytest.param(
        {"a": emails("acme.com", 3), "b": emails("acme.com", 1) + emails("beta.com", 2, "b")},
        {},
        {"a": ad("acme.com", [], {"acme.com": ["b"]}), "b": ad("beta.com", [], {"acme.com": ["a"]})},
        id="shared-primary-stays-primary",
    ),
    pytest.param(
        {"a": emails("zoho.com", 3)},
        {},
        {"a": ad(None)},
        id="zoho-is-free-mail-by-default",
    ),
    pytest.param(
        {"a": emails("zoho.com", 3), "b": emails("gmail.com", 3)},
        {"allow": [" Mail.ZOHO.com "]},
        {"a": ad("zoho.com"), "b": ad(None)},
        id="allow-overrides-free-mail-list",
    ),
    pytest.param(
        {
            "a": emails("staircase.io", 5)
            + emails("eu.staircase.io", 2, "e")
            + emails("acme.com", 1)
            + emails("agency.net", 3, "g")
        },
        {"block": ["STAIRCASE.io", "@agency.net"]},
        {"a": ad("acme.com")},
        id="block-list-includes-sub-domains",
    ),
    pytest.param(
        {"a": emails("zoho.com", 2)},
        {"allow": ["zoho.com"], "block": ["zoho.com"]},
        {"a": ad(None)},
        id="block-wins-over-allow",
    ),
    pytest.param(
        {"a": [["x@beta.com", "x2@beta.com", "X@Beta.com", "x@sub.beta.com"], ["y@acme.com"], ["z@acme.com"]]},
        {},
        {"a": ad("acme.com")},
        id="two-addresses-at-one-domain-count-once",
    ),
    pytest.param(
        {"a": [], "b": [[]], "c": [["junk"]], "d": [["x@gmail.com"]]},
        {},
        {"a": ad(), "b": ad(), "c": ad(), "d": ad()},
        id="empty-accounts-present-in-output",
    ),
    pytest.param(
        {"a": emails("acme.com", 5) + emails("beta.com", 2, "b") + emails("gamma.com", 1, "c")},
        {"min_secondary_contacts": 2},
        {"a": ad("acme.com", ["beta.com"])},
        id="threshold-two",
    ),
    pytest.param(
        {"a": emails("acme.com", 5) + emails("beta.com", 3, "b")},
        {"min_secondary_contacts": 4},
        {"a": ad("acme.com")},
        id="threshold-four",
    ),
    pytest.param(
        {
            "a": emails("acme.com", 9)
            + emails("zed.com", 3, "z")
            + emails("bee.com", 3, "b")
            + emails("big.com", 5, "g")
        },
        {},
        {"a": ad("acme.com", ["big.com", "bee.com", "zed.com"])},
        id="secondaries-sorted-by-count-then-name",
    ),
    pytest.param(
        {10: emails("acme.com", 2), 2: emails("acme.com", 1), 3: emails("acme.com", 1)},
        {},
        {
            10: ad("acme.com", [], {"acme.com": [2, 3]}),
            2: ad("acme.com", [], {"acme.com": [3, 10]}),
            3: ad("acme.com", [], {"acme.com": [2, 10]}),
        },
        id="other-accounts-in-natural-order",
    ),
]


@pytest.mark.parametrize(("accounts", "kwargs", "expected"), CASES)
def test_infer_domains(accounts, kwargs, expected):
    assert infer_domains(accounts, **kwargs) == expected


@pytest.mark.smoke
def test_basic_primary_and_secondary():
    result = infer_domains({"a": emails("acme.com", 4) + emails("acme-labs.io", 3, "l"), "b": []})
    assert result == {"a": ad("acme.com", ["acme-labs.io"]), "b": ad()}
    assert result["a"].domains == ["acme.com", "acme-labs.io"]


@pytest.mark.smoke
def test_generators_are_consumed_once():
    def once(items):
        yield from items

    contacts = once([once(["x@acme.com"]), ["y@acme.com"], ("z@acme.com",), "w@beta.com"])
    result = infer_domains({"a": contacts, "b": once([])})
    assert result == {"a": ad("acme.com"), "b": ad()}


def test_unorderable_account_keys_sorted_by_type_then_repr():
    result = infer_domains({"x": emails("acme.com", 2), 1: emails("acme.com", 1), (0,): emails("acme.com", 1)})
    assert result["x"].shared == {"acme.com": [1, (0,)]}


@pytest.mark.parametrize(
    ("address", "domain"),
    [
        pytest.param("ann@acme.com", "acme.com", id="plain"),
        pytest.param("  Ann@MAIL.Acme.CO.UK  ", "acme.co.uk", id="case-space-subdomain"),
        pytest.param("ann@eu.sales.acme.com", "acme.com", id="deep-subdomain"),
        pytest.param("ann@acme.com.", "acme.com", id="trailing-dot"),
        pytest.param("ann@BÜCHER.de", "xn--bcher-kva.de", id="idn"),
        pytest.param("ann@XN--BCHER-KVA.DE", "xn--bcher-kva.de", id="punycode-upper"),
        pytest.param('"Ann, Smith" <ann@acme.com>', "acme.com", id="display-name"),
        pytest.param('"x@evil.com" <ann@acme.com>', "acme.com", id="address-in-display-name"),
        pytest.param("MAILTO:ann@acme.com?subject=hi", "acme.com", id="mailto"),
        pytest.param("ann+tag@acme.com", "acme.com", id="plus-tag"),
        pytest.param("ann@gmail.com", "gmail.com", id="free-mail-is-still-an-address"),
        pytest.param("ann", None, id="no-at"),
        pytest.param("@acme.com", None, id="empty-local"),
        pytest.param("a@b@acme.com", None, id="two-at"),
        pytest.param('"a@b"@acme.com', None, id="quoted-at"),
        pytest.param("a b@acme.com", None, id="space-in-local"),
        pytest.param("a\tb@acme.com", None, id="tab-in-local"),
        pytest.param("ann@acme", None, id="no-dot"),
        pytest.param("ann@localhost", None, id="localhost"),
        pytest.param("ann@co.uk", None, id="public-suffix"),
        pytest.param("ann@com", None, id="bare-tld"),
        pytest.param("ann@-acme.com", None, id="leading-hyphen"),
        pytest.param("ann@acme-.com", None, id="trailing-hyphen"),
        pytest.param("ann@ac_me.com", None, id="underscore"),
        pytest.param("ann@acme..com", None, id="empty-label"),
        pytest.param("ann@acme.com..", None, id="two-trailing-dots"),
        pytest.param("ann@192.168.0.1", None, id="ip-address"),
        pytest.param("ann@[192.168.0.1]", None, id="address-literal"),
        pytest.param("ann@" + "a" * 64 + ".com", None, id="label-too-long"),
        pytest.param("ann@" + ".".join(["abcdefghi"] * 26) + ".com", None, id="host-too-long"),
        pytest.param("ann@xn--a.de", None, id="bad-punycode"),
        pytest.param("Ann <ann@acme.com", None, id="unclosed-angle"),
        pytest.param("", None, id="empty"),
    ],
)
def test_email_domain(address, domain):
    assert email_domain(address) == domain


@pytest.mark.parametrize(
    ("value", "domain"),
    [
        ("Mail.Zoho.com", "zoho.com"),
        ("@acme.co.uk", "acme.co.uk"),
        ("x@eu.acme.com", "acme.com"),
        ("bücher.de.", "xn--bcher-kva.de"),
        ("co.uk", None),
        ("", None),
    ],
)
def test_normalise_domain(value, domain):
    assert normalise_domain(value) == domain


def test_allow_and_block_accept_a_bare_string():
    data = {"a": emails("zoho.com", 2) + emails("acme.com", 1)}
    result = infer_domains(data, allow="zoho.com", block="acme.com")
    assert result == {"a": ad("zoho.com")}
