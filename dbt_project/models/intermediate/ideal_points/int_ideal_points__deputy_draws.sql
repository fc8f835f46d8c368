{#- Every deputy position of fct_ideal_point_fits, one row per legislature x period x deputy x
    replicate (replicate 0 is the estimate, 1.. the parametric bootstrap), with the half-year's
    dates and the deputy's bloc. -#}

with

fits as (
    select legislature, unnest(deputies, recursive := true)
    from {{ ref('fct_ideal_point_fits') }}
),

groups as (
    select legislature, group_code, bloc from {{ ref('dim_groups') }}
),

final as (
    select
        fits.legislature,
        fits.period,
        case when fits.period <> 'legislature' then
            make_date(left(fits.period, 4)::integer, if(right(fits.period, 1) = '1', 1, 7), 1)
        end as period_start,
        fits.deputy_uid,
        fits.group_code,
        groups.bloc,
        fits.replicate,
        fits.dim1,
        fits.dim2,
        fits.n_votes,
        fits.n_errors,
        fits.geometric_mean_probability
    from fits
    left join groups
        on fits.legislature = groups.legislature
        and fits.group_code = groups.group_code
)

select * from final
