-- What the sources get wrong, and what the warehouse did about it: one row per legislature and kind
-- of anomaly (seed ref_source_anomalies), zero counts included, with a few example keys. Poll feeds
-- have no legislature: their row has a null one.
with

anomaly_kinds as (
    select * from {{ ref('ref_source_anomalies') }}
),

scrutins as (
    select * from {{ ref('stg_assemblee__scrutins') }}
    where chamber = 'AN'
),

tally_groups as (
    select * from {{ ref('int_parliament__tally_groups') }}
),

group_uids as (
    select * from {{ ref('int_parliament__group_uids') }}
),

tallies as (
    select * from {{ ref('stg_assemblee__group_tallies') }}
),

votes as (
    select * from {{ ref('stg_assemblee__votes') }}
),

deputies as (
    select * from {{ ref('stg_assemblee__deputies') }}
),

mandates as (
    select * from {{ ref('stg_assemblee__mandates') }}
),

corrections as (
    select * from {{ ref('stg_assemblee__vote_corrections') }}
),

quarantine as (
    select * from {{ ref('stg_pipeline__quarantine') }}
),

nominative_counts as (
    select
        scrutin_uid,
        tally_number,
        count(*) filter (where position = 'for') as n_for,
        count(*) filter (where position = 'against') as n_against,
        count(*) filter (where position = 'abstain') as n_abstain,
        count(*) filter (where position = 'non_voting') as n_non_voting
    from votes
    group by all
),

-- one row per occurrence: (legislature, anomaly, the key that shows it)
occurrences as (
    select
        legislature,
        'tally_group_from_' || group_resolution as anomaly,
        scrutin_uid || '#' || tally_number as example_key
    from tally_groups
    where group_resolution in ('voter_memberships', 'neighbour_votes')

    union all
    select
        legislature,
        'tally_group_unresolved',
        scrutin_uid || '#' || tally_number || ' (' || unresolved_reason || ')'
    from tally_groups
    where group_resolution = 'unresolved'

    union all
    select
        tally_groups.legislature,
        'tally_group_not_in_seed',
        tally_groups.scrutin_uid || '#' || tally_groups.group_uid
    from tally_groups
    inner join group_uids
        on tally_groups.legislature = group_uids.legislature
        and tally_groups.group_uid = group_uids.group_uid
    where group_uids.is_unknown_group and tally_groups.group_resolution != 'unresolved'

    union all
    select
        tallies.legislature,
        'group_counts_differ_from_nominative',
        tallies.scrutin_uid || '#' || tallies.source_group_uid
    from tallies
    left join nominative_counts
        on tallies.scrutin_uid = nominative_counts.scrutin_uid
        and tallies.tally_number = nominative_counts.tally_number
    where (tallies.n_for, tallies.n_against, tallies.n_abstain, tallies.n_non_voting) is distinct from (
        coalesce(nominative_counts.n_for, 0), coalesce(nominative_counts.n_against, 0),
        coalesce(nominative_counts.n_abstain, 0), coalesce(nominative_counts.n_non_voting, 0)
    )

    union all
    select distinct votes.legislature, 'voters_without_acteur_file', votes.deputy_uid
    from votes
    anti join deputies
        on votes.deputy_uid = deputies.deputy_uid

    union all
    select votes.legislature, 'ballots_mandate_not_in_amo', votes.scrutin_uid || '#' || votes.deputy_uid
    from votes
    anti join mandates
        on votes.mandate_uid = mandates.mandate_uid

    union all
    select corrections.legislature, 'vote_corrections', corrections.scrutin_uid || '#' || corrections.deputy_uid
    from corrections
    semi join scrutins
        on corrections.scrutin_uid = scrutins.scrutin_uid

    union all
    select legislature, 'quarantined_' || case source_family when 'polls' then 'poll_rows' else 'members' end,
        source_key || ':' || member || case when kept_previous_rows then ' (previous rows kept)' else '' end
    from quarantine
),

counted as (
    select
        legislature,
        anomaly,
        count(*) as n_occurrences,
        list(example_key order by example_key)[1:{{ var('anomaly_examples') }}] as example_keys
    from occurrences
    group by all
),

legislatures as (
    select distinct legislature from scrutins
),

-- every kind for every legislature (Assemblée kinds), once with no legislature (poll kinds)
grid as (
    select legislatures.legislature, anomaly_kinds.*
    from anomaly_kinds
    cross join legislatures
    where anomaly_kinds.source_family = 'assemblee'
    union all
    select null::smallint, anomaly_kinds.*
    from anomaly_kinds
    where anomaly_kinds.source_family != 'assemblee'
),

final as (
    select
        grid.legislature::smallint as legislature,
        grid.anomaly,
        grid.source_family,
        grid.counted,
        coalesce(counted.n_occurrences, 0)::bigint as n_occurrences,
        coalesce(counted.example_keys, []::varchar[]) as example_keys,  -- noqa: LT01
        grid.description,
        grid.rule_applied
    from grid
    left join counted
        on grid.legislature is not distinct from counted.legislature
        and grid.anomaly = counted.anomaly
)

select * from final
