-- The official tally of each canonical group on each scrutin, each tally counted in the group it
-- resolves to (int_parliament__tally_groups). A group that changed uid (SOC in the 16th, UDR in the
-- 17th) is one group: its uids' tallies are summed (they never share a scrutin in the real files,
-- but a sum stays right if they ever do) and the uids are kept in group_uids. Unresolved tallies
-- that share a placeholder uid are summed into one unknown group, which the cohesion marts leave out.
with

tallies as (
    select * from {{ ref('stg_assemblee__group_tallies') }}
),

tally_groups as (
    select * from {{ ref('int_parliament__tally_groups') }}
),

group_uids as (
    select * from {{ ref('int_parliament__group_uids') }}
),

final as (
    select
        tallies.scrutin_uid,
        tallies.legislature,
        group_uids.group_code,
        group_uids.bloc,
        group_uids.is_unknown_group,
        list(distinct tally_groups.group_uid order by tally_groups.group_uid) as group_uids,
        -- how the tallies' group was found: 'source' unless a tally was resolved from its voters
        coalesce(
            max(tally_groups.group_resolution) filter (where tally_groups.group_resolution != 'source'), 'source'
        ) as group_resolution,
        sum(tallies.n_members)::integer as n_members,
        sum(tallies.n_for)::integer as n_for,
        sum(tallies.n_against)::integer as n_against,
        sum(tallies.n_abstain)::integer as n_abstain,
        sum(tallies.n_non_voting)::integer as n_non_voting
    from tallies
    inner join tally_groups
        on tallies.scrutin_uid = tally_groups.scrutin_uid
        and tallies.tally_number = tally_groups.tally_number
    inner join group_uids
        on tally_groups.legislature = group_uids.legislature
        and tally_groups.group_uid = group_uids.group_uid
    group by all
)

select * from final
