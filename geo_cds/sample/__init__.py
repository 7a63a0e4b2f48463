"""Generated sample layers on real boundaries: villages, sites, coverage rasters, parks, streets.

Everything here is GENERATED (seeded, reproducible), calibrated to published provincial
figures, and labelled ``generated`` wherever it is written. The pieces work at any scale, from
three communes to the 3,321 communes of the country:

>>> from geo_cds.sample import generate_villages, generate_sites, generate_rsrp_raster
>>> villages = generate_villages(communes, seed=2025)                 # doctest: +SKIP
>>> sites = generate_sites(communes, villages, seed=2025)             # doctest: +SKIP
>>> generate_rsrp_raster(sites, "4g", "rsrp_4g.tif", areas=communes)  # doctest: +SKIP

``write_sample()`` writes the embedded sample (``layers/``) from the seed boundaries; it is what
``geo-cds sample`` runs.
"""

from geo_cds.sample.build import read_seed_communes, write_sample
from geo_cds.sample.places import generate_parks, generate_streets
from geo_cds.sample.radio import RadioModel, generate_population_raster, generate_rsrp_raster
from geo_cds.sample.sites import generate_sites
from geo_cds.sample.villages import attach_coverage, classify_communes, generate_villages

__all__ = [
    "RadioModel",
    "attach_coverage",
    "classify_communes",
    "generate_parks",
    "generate_population_raster",
    "generate_rsrp_raster",
    "generate_sites",
    "generate_streets",
    "generate_villages",
    "read_seed_communes",
    "write_sample",
]
