"""The simulation's residents: valid but made-up identity numbers, ages, phones, devices.

Raw numbers exist only here, in memory, on their way into the same
validation the API runs, which turns them into pseudonyms before anything is
stored (DESIGN.md "Identities: never stored raw").
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from auditsvc.base.identities import resident_id_check_char

#: Division codes near the demo partners, for residents whose number was issued elsewhere.
NEARBY_REGIONS = ("411323", "411325", "411329", "411330")


@dataclass(frozen=True)
class Resident:
    id_number: str
    birth_year: int
    phone: str
    device: str

    def age_in(self, year: int) -> int:
        return year - self.birth_year

    def as_identity(self) -> dict[str, str]:
        return {"scheme": "cn-resident-id", "value": self.id_number}


class Population:
    """Draws residents that never repeat an identity number, phone or device."""

    def __init__(self, rng: random.Random, year: int) -> None:
        self._rng = rng
        self._year = year
        self._numbers: set[str] = set()
        self._phones: set[str] = set()

    def resident(self, region: str, *, elderly_share: float, elderly_from: int = 60) -> Resident:
        """One resident; aged ``elderly_from``-90 with probability ``elderly_share``, else 18-59.

        About one in twenty carries a number first issued in a nearby county:
        people move, and the number keeps where it was issued.
        """
        rng = self._rng
        if rng.random() < 0.05:
            region = rng.choice(NEARBY_REGIONS)
        elderly = rng.random() < elderly_share
        age = rng.randint(elderly_from, 90) if elderly else rng.randint(18, 59)
        born = dt.date(self._year - age, 1, 1) + dt.timedelta(days=rng.randrange(365))
        while True:
            first17 = f"{region}{born:%Y%m%d}{rng.randrange(1000):03d}"
            number = first17 + resident_id_check_char(first17)
            if number not in self._numbers:
                self._numbers.add(number)
                break
        return Resident(
            id_number=number,
            birth_year=born.year,
            phone=self.phone(),
            device=f"android-{rng.getrandbits(48):012x}",
        )

    def phone(self) -> str:
        """A mobile number in the 139 range, never handed out twice."""
        while True:
            phone = f"+86139{self._rng.randrange(10**8):08d}"
            if phone not in self._phones:
                self._phones.add(phone)
                return phone
