with

fits as (
    select legislature, unnest(scrutins, recursive := true)
    from {{ ref('fct_ideal_point_fits') }}
),

scrutins as (
    select scrutin_uid, vote_date, title from {{ ref('dim_scrutins') }}
),

final as (
    select
        fits.scrutin_uid,
        fits.legislature::smallint as legislature,
        scrutins.vote_date,
        scrutins.title,
        fits.alpha,
        fits.beta_1,
        fits.beta_2,
        -fits.alpha / nullif(fits.beta_1, 0) as midpoint_1,
        fits.n_votes::integer as n_votes,
        fits.n_minority::integer as n_minority,
        fits.n_errors::integer as n_errors,
        1 - fits.n_errors / fits.n_votes as share_correct,
        (fits.n_minority - fits.n_errors) / fits.n_minority as apre
    from fits
    inner join scrutins
        on fits.scrutin_uid = scrutins.scrutin_uid
)

select * from final
