-- The proofs the last build kept (each key covers the threshold and the solver's code).
SELECT proof_key, low, high, n_lp
FROM meta.disclosure_proofs
