"""A season as tests create it (POST /api/seasons): registration open until 15 June 2027."""

from __future__ import annotations

SEASON_2027 = {
    "name": "Innovationspraktik 2027, uge 37",
    "registration_opens": "2027-05-01",
    "registration_deadline": "2027-06-15",
    "week_starts": "2027-09-13",
    "week_ends": "2027-09-17",
}
