"""`make bench`: how fast the pipeline is, and how it scales, against the project's performance targets.

Run from the project root: `python -m scripts.bench`. It serves ../shared/data on 127.0.0.1 with
the tests' loopback mirror and measures, each several times in fresh processes:

1. `cold`: a full build of the 16th and 17th from nothing (download, parse and load, dbt build,
   publication), split into stages from Dagster's step events;
2. `nightly`: the same run again when no source changed;
3. `incremental`: a run after the 16th's votes dump gained its newest 1 % of scrutins;
4. `parse_load` against `read_json`: the 16th's votes parsed and loaded by the pipeline's code,
   and by DuckDB's `read_json` with automatic schema inference over the same files, unnested in
   SQL into the same rows, in the same run;
5. `scaling`: the parse-and-load stage on synthetic legislatures 2, 5 and 10 times larger;
6. `ideal_points`: the ideal-point estimation of the 16th (its fits, then its 50-replicate
   bootstrap, timed apart) and the fits on a synthetic legislature with 5 times the votes;
7. `poll_model`: every poll series fitted, on the published warehouse's polls;
8. `whole_build`: whole cold builds with the 16th at 1x and 5x its votes (synthetic), with the
   growth of each stage: where one machine stops (docs/scaling.md).

Every case reports the median and spread of its wall time and the peak resident memory of its
processes; the table is printed and the figures written to warehouse/bench/bench-<date>.json.
Timings are compared within one run (ratios), never asserted by the test suite.
"""
