{#- The release catalogue per month x pollster x theme. Releases with no date are left out here and
    counted by a warn test on stg_polls__releases. -#}

with

releases as (
    select * from {{ ref('stg_polls__releases') }}
    where has_release_date
),

pollster_labels as (
    select * from {{ ref('int_polls__pollster_labels') }}
),

pollsters as (
    select * from {{ ref('dim_pollsters') }}
),

monthly as (
    select
        date_trunc('month', releases.release_date)::date as release_month,
        pollster_labels.pollster_code,
        coalesce(releases.theme, 'unclassified') as theme,
        count(*)::integer as n_releases,
        max(releases.release_date) as latest_release_date,
        -- The feed lists the newest release first: on a tie, its first row.
        first(releases.title order by releases.release_date desc, releases.source_row) as latest_title,
        first(releases.link order by releases.release_date desc, releases.source_row) as latest_link
    from releases
    inner join pollster_labels on pollster_labels.pollster_label = releases.pollster_label
    group by all
),

final as (
    select
        monthly.release_month,
        monthly.pollster_code,
        pollsters.pollster_name,
        monthly.theme,
        monthly.n_releases,
        monthly.latest_release_date,
        monthly.latest_title,
        monthly.latest_link
    from monthly
    left join pollsters on pollsters.pollster_code = monthly.pollster_code
)

select * from final
