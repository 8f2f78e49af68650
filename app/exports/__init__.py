"""Exports of a team's subscribers: streamed downloads and background files."""
