{#- The left alliance's share in each legislative poll hypothesis (methods.md): its joint list where the
    poll lists one, else the sum of its parties only when every party it requires is listed; never a
    partial sum. The 2022 first-round result stands beside every row for reference. -#}

with

legislative as (
    select * from {{ ref('fct_poll_results') }}
    where question = 'legislative_first_round'
),

alliances as (
    select * from {{ ref('ref_poll_alliances') }}
),

alliance_parties as (
    select * from {{ ref('ref_poll_alliance_parties') }}
),

model_days as (
    select * from {{ ref('mart_poll_model_daily') }}
    where question = 'legislative_first_round'
),

election_result as (
    select * from {{ ref('stg_polls__legislative_2022_2023') }}
    where is_election_result
),

required_parties as (
    select alliance_code, count(*) filter (where is_required_for_sum)::integer as n_parties_required
    from alliance_parties
    group by alliance_code
),

-- The alliance in force on the poll's date.
hypotheses as (
    select distinct
        legislative.poll_id, legislative.source, legislative.pollster_code, legislative.pollster_name,
        legislative.fieldwork_start, legislative.fieldwork_end, legislative.sample_size, legislative.hypothesis,
        alliances.alliance_code, alliances.list_subject_code
    from legislative
    inner join alliances
        on legislative.poll_date >= alliances.start_date
        and (alliances.end_date is null or legislative.poll_date <= alliances.end_date)
),

shares as (
    select
        hypotheses.*,
        max(legislative.value_pct) filter (where legislative.subject_code = hypotheses.list_subject_code)
            as joint_list_pct,
        sum(legislative.value_pct) filter (where alliance_parties.party_code is not null) as parties_total_pct,
        (count(*) filter (where alliance_parties.is_required_for_sum))::integer as n_parties_listed
    from hypotheses
    inner join legislative
        on legislative.poll_id = hypotheses.poll_id
        and legislative.hypothesis = hypotheses.hypothesis
    left join alliance_parties
        on alliance_parties.alliance_code = hypotheses.alliance_code
        and alliance_parties.party_code = legislative.subject_code
    group by all
),

ruled as (
    select
        shares.*,
        required_parties.n_parties_required,
        case when shares.n_parties_listed = required_parties.n_parties_required
            then shares.parties_total_pct end as sum_of_parties_pct,
        case
            when shares.joint_list_pct is not null then 'joint_list'
            when shares.n_parties_listed = required_parties.n_parties_required then 'sum_of_parties'
        end as share_method
    from shares
    inner join required_parties on required_parties.alliance_code = shares.alliance_code
),

final as (
    select
        ruled.poll_id,
        ruled.source,
        ruled.pollster_code,
        ruled.pollster_name,
        ruled.fieldwork_start,
        ruled.fieldwork_end,
        ruled.sample_size,
        ruled.hypothesis,
        ruled.alliance_code,
        ruled.share_method,
        coalesce(ruled.joint_list_pct, ruled.sum_of_parties_pct) as alliance_share_pct,
        ruled.joint_list_pct,
        ruled.sum_of_parties_pct,
        ruled.n_parties_listed,
        ruled.n_parties_required,
        -- One row per poll carries the headline: a joint-list hypothesis first, else a complete sum.
        row_number() over (
            partition by ruled.poll_id
            order by ruled.joint_list_pct is null, ruled.sum_of_parties_pct is null, ruled.hypothesis
        ) = 1 as is_headline_hypothesis,
        election_result.value_pct as result_2022_first_round_pct,
        coalesce(ruled.joint_list_pct, ruled.sum_of_parties_pct) - election_result.value_pct
            as difference_from_2022_result_pts,
        model_days.level_pct as model_level_pct,
        model_days.low_90 as model_low_90,
        model_days.high_90 as model_high_90
    from ruled
    left join election_result on {{ polls_slug('election_result.subject_label') }} = ruled.list_subject_code
    -- The state-space level of the joint list on the poll's midpoint, where its election's series is
    -- fitted (an election's series never overlap in time, so the day names one).
    left join model_days
        on model_days.subject_code = ruled.list_subject_code
        and model_days.day = {{ poll_midpoint('ruled.fieldwork_start', 'ruled.fieldwork_end') }}
)

select * from final
