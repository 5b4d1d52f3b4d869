"""Many workers at once: control numbers stay unique, keys stay idempotent."""

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from threading import Barrier

from ledger_builders import adj, clp, remittance


def test_parallel_submissions_get_unique_control_numbers(ledger, new_claim):
    claim_ids = [new_claim() for _ in range(12)]

    with ThreadPoolExecutor(max_workers=6) as pool:
        infos = list(
            pool.map(
                lambda claim_id: ledger.prepare_submission(
                    claim_id, 1, f"parallel-{claim_id}"
                ),
                claim_ids,
            )
        )

    assert len({i.interchange_control_number for i in infos}) == 12
    assert len({i.transaction_control_number for i in infos}) == 12
    assert sorted(i.interchange_control_number for i in infos) == [
        f"{n:09d}" for n in range(1, 13)
    ]


def test_parallel_calls_with_one_key_make_one_submission(ledger, new_claim):
    claim_id = new_claim()

    with ThreadPoolExecutor(max_workers=6) as pool:
        infos = list(
            pool.map(
                lambda _: ledger.prepare_submission(claim_id, 1, "one-key"), range(6)
            )
        )

    assert len({i.submission_id for i in infos}) == 1
    assert ledger.submission_for(claim_id, 1) == infos[0]


def test_parallel_create_claim_with_one_encounter_key(ledger, new_claim):
    claim = ledger.get_claim(new_claim())

    with ThreadPoolExecutor(max_workers=4) as pool:
        ids = list(pool.map(lambda _: ledger.create_claim("enc-race", claim), range(4)))

    assert len(set(ids)) == 1
    assert ledger.claim_for_encounter("enc-race") == ids[0]
    assert ledger.claim_balance(ids[0]).billed == claim.total_charge
    assert ledger.claim_for_encounter("enc-unknown") is None


def test_workers_posting_one_835_at_once_post_it_once(ledger, new_claim):
    claim_id = new_claim(["100.00"])
    remit = remittance(
        clp(f"C{claim_id}V1", "1", "100.00", "80.00", [], [adj("CO-45", "20.00")])
    )
    # Workers 0-2 read the same file under three names; 3-5 read a reissue of
    # it in a new envelope (new ISA13, GS06 and ST02).
    reissue = remit.model_copy(
        update={
            "interchange_control_number": "000000999",
            "group_control_number": "999",
            "transaction_control_number": "9999",
        }
    )
    start = Barrier(6)

    def worker(number: int):
        copy = remit if number < 3 else reissue
        start.wait()
        file_id, _ = ledger.store_inbound_file(
            f"worker-{number}.835", "835", copy.model_dump_json().encode()
        )
        stored = ledger.store_remittance(file_id, copy)
        return stored, [
            ledger.post_remittance_claim(m.remit_claim_id) for m in stored.claims
        ]

    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = list(pool.map(worker, range(6)))

    assert len({stored.remittance_id for stored, _ in outcomes}) == 1
    assert sum(not stored.duplicate for stored, _ in outcomes) == 1
    postings = [result for _, results in outcomes for result in results]
    assert len(postings) == 6
    assert sum(not result.already_posted for result in postings) == 1
    balance = ledger.claim_balance(claim_id)
    assert (balance.paid, balance.adjusted, balance.outstanding) == (
        Decimal("80.00"),
        Decimal("20.00"),
        Decimal("0.00"),
    )
