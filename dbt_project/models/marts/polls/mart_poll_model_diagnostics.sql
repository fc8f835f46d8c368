{#- One row per series of the state-space model, fitted or not: its estimated variances, its polls,
    and the one-step-ahead calibration check. -#}

with

fits as (
    select * exclude (days, house_effects, polls) from {{ ref('fct_poll_model_fits') }}
),

subjects as (
    select * from {{ ref('dim_poll_subjects') }}
),

final as (
    select
        fits.question,
        fits.election,
        fits.subject_code,
        subjects.subject_name,
        fits.is_fitted,
        fits.is_anchored,
        fits.election_day,
        fits.result_pct,
        fits.n_polls,
        fits.n_polls_overlapping,
        fits.n_pollsters,
        fits.first_poll_day,
        fits.last_poll_day,
        fits.sigma_pts,
        fits.tau_pts,
        fits.log_likelihood,
        fits.n_calibration_polls,
        fits.calibration_share
    from fits
    left join subjects on subjects.subject_code = fits.subject_code
)

select * from final
