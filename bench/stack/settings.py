"""The production settings, with the per-account API rate limit lifted: the latency
benchmark plays 50 users through one district administrator's session, which the
real limit (600 requests a minute per account) would rightly refuse."""

from yearend.settings import *  # noqa: F403

API_RATE_PER_TOKEN = (1_000_000, 60)
