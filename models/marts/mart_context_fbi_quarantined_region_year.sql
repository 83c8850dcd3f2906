-- FBI rows of the deployment's state quarantined per year x region (files standing for their years): where
-- agencies reported but the rows were refused. The serving grid marks these cells, so a region-year with
-- quarantined rows never reads "no agency reported".
SELECT
    year,
    region,
    count(*) AS rows_quarantined
FROM staging.stg_context_fbi_quarantined
GROUP BY year, region
ORDER BY year, region
