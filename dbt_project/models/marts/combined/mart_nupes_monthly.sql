{#- The headline, per month and left alliance: unity in the chamber (cohesion marts), the alliance's
    voting-intention average, and its people's barometer values; each figure with the n behind it. -#}

with

bloc_unity as (
    select * from {{ ref('mart_bloc_unity_monthly') }}
),

group_cohesion as (
    select * from {{ ref('mart_group_cohesion_monthly') }}
),

averages as (
    select * from {{ ref('mart_poll_average_daily') }}
    where question = 'legislative_first_round'
),

model_days as (
    select * from {{ ref('mart_poll_model_daily') }}
    where question = 'legislative_first_round'
),

leaders as (
    select * from {{ ref('mart_leader_popularity') }}
    where subject_bloc is not null and poll_date is not null
),

alliances as (
    select * from {{ ref('ref_poll_alliances') }}
),

unity as (
    select
        vote_month as month,
        bloc as alliance_code,
        sum(n_votes)::integer as n_votes_unity,
        sum(n_unanimous) / nullif(sum(n_votes), 0) as unanimity_rate
    from bloc_unity
    where bloc is not null
    group by all
),

-- The member groups' mean Agreement Index, each group weighted by the votes behind its own mean.
cohesion as (
    select
        vote_month as month,
        bloc as alliance_code,
        sum(n_votes)::integer as n_group_votes,
        count(distinct group_code)::integer as n_groups,
        sum(n_votes * mean_agreement_index) / nullif(sum(n_votes), 0) as mean_within_group_agreement_index
    from group_cohesion
    where bloc is not null and mean_agreement_index is not null
    group by all
),

-- The alliance's joint-list average on the month's last day that has one.
intentions as (
    select
        date_trunc('month', averages.day)::date as month,
        alliances.alliance_code,
        max(averages.day) as voting_intention_day,
        arg_max(averages.average_pct, averages.day) as voting_intention_pct,
        arg_max(averages.n_polls, averages.day) as voting_intention_n_polls
    from averages
    inner join alliances
        on averages.subject_code = alliances.list_subject_code
        and averages.day >= alliances.start_date
        and (alliances.end_date is null or averages.day <= alliances.end_date)
    group by all
),

-- The state-space level of the alliance's joint list on the same day, where its series is fitted
-- (an election's series never overlap in time, so the day names one).
model_intentions as (
    select
        intentions.month,
        intentions.alliance_code,
        model_days.level_pct as model_level_pct,
        model_days.low_90 as model_low_90,
        model_days.high_90 as model_high_90
    from intentions
    inner join alliances on alliances.alliance_code = intentions.alliance_code
    inner join model_days
        on model_days.subject_code = alliances.list_subject_code
        and model_days.day = intentions.voting_intention_day
),

-- Waves dated in the month only (a stale figure carried forward would read as current); the latest
-- wave of each series when a month holds several.
leader_points as (
    select
        date_trunc('month', poll_date)::date as month,
        subject_bloc as alliance_code,
        struct_pack(
            subject_code, subject_name, pollster_code, metric, population, poll_date, value_pct, change_pts,
            sample_size
        ) as barometer
    from leaders
    qualify row_number() over (
        partition by date_trunc('month', poll_date), subject_code, pollster_code, metric, population
        order by poll_date desc, poll_id
    ) = 1
),

leader_months as (
    select
        month,
        alliance_code,
        list(barometer order by barometer.subject_code, barometer.pollster_code, barometer.metric,
             barometer.population) as leader_barometers,
        count(*)::integer as n_leader_barometer_values
    from leader_points
    group by all
),

months as (
    select month, alliance_code from unity
    union
    select month, alliance_code from cohesion
    union
    select month, alliance_code from intentions
    union
    select month, alliance_code from leader_months
),

final as (
    select
        months.month,
        months.alliance_code,
        unity.unanimity_rate,
        coalesce(unity.n_votes_unity, 0) as n_votes_unity,
        cohesion.mean_within_group_agreement_index,
        coalesce(cohesion.n_group_votes, 0) as n_group_votes,
        coalesce(cohesion.n_groups, 0) as n_groups,
        intentions.voting_intention_pct,
        intentions.voting_intention_day,
        coalesce(intentions.voting_intention_n_polls, 0) as voting_intention_n_polls,
        model_intentions.model_level_pct,
        model_intentions.model_low_90,
        model_intentions.model_high_90,
        leader_months.leader_barometers,
        coalesce(leader_months.n_leader_barometer_values, 0) as n_leader_barometer_values
    from months
    left join unity using (month, alliance_code)
    left join cohesion using (month, alliance_code)
    left join intentions using (month, alliance_code)
    left join model_intentions using (month, alliance_code)
    left join leader_months using (month, alliance_code)
)

select * from final
