"""Propagation model: COST-231 Hata path loss and the reference-signal power of each technology.

Path loss (COST 231 Final Report, ch. 4.4, "COST-231 Hata", 1500-2000 MHz; Hata 1980 below)::

    L = 46.3 + 33.9 log f − 13.82 log hb − a(hm) + (44.9 − 6.55 log hb) log d + C

with ``f`` in MHz, ``hb`` the base-station antenna height and ``hm`` the receiver height in
metres, ``d`` in km, and ``a(hm) = (1.1 log f − 0.7) hm − (1.56 log f − 0.8)`` (small and
medium cities). The environment sets ``C``:

==============  =====================================================================
dense_urban     +3 dB (COST-231's metropolitan centres)
urban           0 (medium city, suburban centres)
suburban        −2 (log(f/28))² − 5.4 (Okumura-Hata suburban correction)
rural           −4.78 (log f)² + 18.33 log f − 35.94 (quasi-open: open area + 5 dB)
open            −4.78 (log f)² + 18.33 log f − 40.94 (Okumura-Hata open area)
==============  =====================================================================

Outside the fitted ranges the formula is extrapolated, as planning tools do: below 1 km
(floored at :data:`MIN_DISTANCE_KM`), above 2000 MHz (5G at 3500 MHz; TR 38.901 UMa/RMa would
be the better fit there, not implemented), ``hb`` below 30 m (clipped to 10-200 m).

For one station every term but ``log d`` is fixed, so its received power is
``a − b log10(d_km)``: :func:`intercept_slope` gives ``a`` and ``b`` and the kernel only
evaluates that line. The received power is the reference-signal EIRP per resource element
minus the path loss (RSRP for LTE and NR; for UMTS the CPICH RSCP, for GSM the BCCH RxLev —
what each technology's coverage is judged by), clipped to RSRP's reporting range −140…−44 dBm
(3GPP TS 36.133).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from geo_cds import schema as S

ENVIRONMENTS = S.ENVIRONMENTS
MIN_DISTANCE_KM = 0.05
HEIGHT_RANGE_M = (10.0, 200.0)
RSRP_FLOOR, RSRP_CEILING = -140.0, -44.0


@dataclass(frozen=True)
class Carrier:
    """What one technology's reference signal radiates (defaults per technology below)."""

    band_mhz: float  # default carrier when the station list gives none
    power_dbm: float  # total transmit power of the carrier at the antenna port
    subcarriers: int  # resource elements the power is spread over (1: the whole carrier)
    antenna_gain_dbi: float
    feeder_loss_db: float

    @property
    def eirp_re_dbm(self) -> float:
        """Reference-signal EIRP per resource element: P − 10 log10(N) + G − L."""
        return (self.power_dbm - 10.0 * math.log10(self.subcarriers) + self.antenna_gain_dbi
                - self.feeder_loss_db)


# Assumptions (documented in the README, "Coverage from a station list"):
#   4G: 20 MHz LTE carrier, 1,200 subcarriers, 46 dBm (40 W), 17 dBi sector, 2 dB feeder
#       → 15.2 dBm per RE, 30.2 dBm EIRP per RE; Vietnam's LTE runs mostly in band 3 (1800).
#   5G: 100 MHz NR carrier at 30 kHz spacing (273 PRB = 3,276 subcarriers), 53 dBm (200 W),
#       17 dBi SSB beam, 2 dB → 32.9 dBm EIRP per RE; n78 (3500 MHz).
#   3G: CPICH at 33 dBm (10 % of 20 W), 17 dBi, 2 dB → 48 dBm (RSCP); band 1 (2100 MHz).
#   2G: BCCH carrier 43 dBm (20 W), 15 dBi, 2 dB → 56 dBm (RxLev); 900 MHz.
CARRIERS = {
    "2g": Carrier(900.0, 43.0, 1, 15.0, 2.0),
    "3g": Carrier(2100.0, 33.0, 1, 17.0, 2.0),
    "4g": Carrier(1800.0, 46.0, 1200, 17.0, 2.0),
    "5g": Carrier(3500.0, 53.0, 3276, 17.0, 2.0),
}


def environment_correction_db(f_mhz, environment) -> np.ndarray:
    """The term ``C`` of the table above, per station."""
    f = np.asarray(f_mhz, dtype=float)
    env = np.asarray(environment, dtype=object)
    lf = np.log10(f)
    open_area = -4.78 * lf**2 + 18.33 * lf - 40.94
    out = np.select(
        [env == "dense_urban", env == "urban", env == "suburban", env == "rural", env == "open"],
        [np.full_like(f, 3.0), np.zeros_like(f), -2.0 * np.log10(f / 28.0) ** 2 - 5.4,
         open_area + 5.0, open_area], np.nan)
    if np.isnan(out).any():
        bad = sorted({str(e) for e in env[np.isnan(out)]})
        raise ValueError(f"unknown environment(s) {bad}; known: {list(ENVIRONMENTS)}")
    return out


def intercept_slope(f_mhz, hb_m, environment, hm_m: float = 1.5
                    ) -> tuple[np.ndarray, np.ndarray]:
    """COST-231 Hata as ``L = A + B log10(d_km)``: per station (A, B) in dB.

    ``hb_m`` is clipped to :data:`HEIGHT_RANGE_M`.
    """
    f = np.asarray(f_mhz, dtype=float)
    lf = np.log10(f)
    hb = np.log10(np.clip(np.asarray(hb_m, dtype=float), *HEIGHT_RANGE_M))
    a_hm = (1.1 * lf - 0.7) * hm_m - (1.56 * lf - 0.8)
    loss_1km = 46.3 + 33.9 * lf - 13.82 * hb - a_hm + environment_correction_db(f, environment)
    return loss_1km, 44.9 - 6.55 * hb


def path_loss_db(f_mhz, hb_m, d_km, environment, hm_m: float = 1.5) -> np.ndarray:
    """COST-231 Hata path loss in dB (distance floored at :data:`MIN_DISTANCE_KM`)."""
    a, b = intercept_slope(f_mhz, hb_m, environment, hm_m)
    return a + b * np.log10(np.maximum(np.asarray(d_km, dtype=float), MIN_DISTANCE_KM))
