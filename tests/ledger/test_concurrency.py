"""Many workers at once: control numbers stay unique, keys stay idempotent."""

from concurrent.futures import ThreadPoolExecutor


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
