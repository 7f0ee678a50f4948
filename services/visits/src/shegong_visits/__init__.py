"""Visits service (入户走访): households, risk-tiered visits, needs, referrals, consent and erasure."""
