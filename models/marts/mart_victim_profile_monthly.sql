-- The victim profile of the hotline signals: per month x trafficking type x profile attribute (age band,
-- gender, recruitment, means of control, contact method) x category, the signals and cases. One row per
-- signal and attribute: each attribute holds one code per signal (the contract's fields are single-valued:
-- the first potential victim's age band and gender, the main means of control), so the categories of an
-- attribute add up to the signals of the month and type. An empty field is the category 'not_recorded'.
WITH signals AS (
    SELECT
        month,
        trafficking_type,
        is_case,
        coalesce(age_band, 'not_recorded') AS age_band,
        coalesce(gender, 'not_recorded') AS gender,
        coalesce(recruitment, 'not_recorded') AS recruitment,
        coalesce(means_of_control, 'not_recorded') AS means_of_control,
        coalesce(contact_method, 'not_recorded') AS contact_method
    FROM staging.stg_hotline_signals
)
SELECT
    month,
    trafficking_type,
    attribute,
    category,
    count(*) AS signals,
    count(*) FILTER (WHERE is_case) AS cases
FROM (UNPIVOT signals ON age_band, gender, recruitment, means_of_control, contact_method
      INTO NAME attribute VALUE category)
GROUP BY ALL
