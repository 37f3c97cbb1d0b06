"""Benchmark customers.domains.infer_domains on a big deterministic tenant.

Run from the repository root (no Django needed)::

    python bench/bench_domains.py
    python bench/bench_domains.py --accounts 2000 --contacts 20000

Prints one JSON line: ``case``, ``accounts``, ``contacts``, ``seconds`` (the inference
alone, cold host cache) and ``peak_rss_mb``. The target is well under 10 s for
20k accounts / 200k contacts.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import emit, peak_rss_mb  # noqa: E402
from customers.domains import infer_domains  # noqa: E402

SUFFIXES = ["com", "co.uk", "de", "io", "com.au", "fr", "co.jp", "net"]
SUB_HOSTS = ["", "", "", "mail.", "eu.", "eu.sales.", "MAIL."]
FREE = [
    "gmail.com",
    "yahoo.co.uk",
    "outlook.com",
    "hotmail.com",
    "icloud.com",
    "gmx.de",
    "web.de",
    "proton.me",
    "mailinator.com",
    "googlemail.com",
]
JUNK = ["not an address", "a@@b.com", "x@localhost", "y@co.uk", "", "z@-bad.com", "@acme.com"]


def _address(rnd: random.Random, local: str, domain: str) -> str:
    style = rnd.random()
    if style < 0.03:
        return f"{local.title()} <{local}@{domain}>"
    if style < 0.05:
        return f"  {local.upper()}@{domain.upper()}  "
    return f"{local}@{domain}"


def generate(n_accounts: int, n_contacts: int, seed: int = 20240601) -> dict[int, list[list[str]]]:
    rnd = random.Random(seed)
    agencies = [f"agency{i}.{rnd.choice(SUFFIXES)}" for i in range(max(1, n_accounts // 50))]
    primary = {a: f"customer{a}.{rnd.choice(SUFFIXES)}" for a in range(n_accounts)}
    extra = {a: f"customer{a}-labs.{rnd.choice(SUFFIXES)}" for a in range(n_accounts) if rnd.random() < 0.3}
    partner = {a: f"partner{a // 2}.com" for a in range(n_accounts) if (a // 2) % 5 == 0}  # pairs share one
    idn = {a: f"bücher{a}.de" for a in range(n_accounts) if rnd.random() < 0.02}
    data: dict[int, list[list[str]]] = {a: [] for a in range(n_accounts)}
    for c in range(n_contacts):
        account = rnd.randrange(n_accounts)
        local = f"p{c}"
        roll = rnd.random()
        own = rnd.choice(SUB_HOSTS) + primary[account]
        if roll < 0.55:
            domain = own
        elif roll < 0.65:
            domain = extra.get(account, own)
        elif roll < 0.71:
            domain = partner.get(account, own)
        elif roll < 0.74:
            domain = rnd.choice(agencies)
        elif roll < 0.76:
            domain = idn.get(account, own)
        elif roll < 0.80:
            domain = primary[rnd.randrange(n_accounts)]  # someone else's domain
        elif roll < 0.95:
            domain = rnd.choice(FREE)
        else:
            data[account].append([rnd.choice(JUNK)])
            continue
        contact = [_address(rnd, local, domain)]
        for _ in range(rnd.choice((0, 0, 0, 1, 1, 2))):
            other = rnd.choice((rnd.choice(FREE), domain, primary[account], rnd.choice(JUNK)))
            contact.append(other if "@" in other or not other else f"{local}.alt@{other}")
        data[account].append(contact)
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--contacts", type=int, default=200_000)
    args = parser.parse_args()
    data = generate(args.accounts, args.contacts)
    # Feed generators, as the service layer streams contacts from the database.
    streamed = {account: iter(contacts) for account, contacts in data.items()}
    start = time.perf_counter()
    result = infer_domains(streamed)
    seconds = time.perf_counter() - start
    assert len(result) == args.accounts
    emit(
        {
            "case": "domain_inference",
            "accounts": args.accounts,
            "contacts": args.contacts,
            "seconds": round(seconds, 3),
            "peak_rss_mb": peak_rss_mb(),
        }
    )


if __name__ == "__main__":
    main()
