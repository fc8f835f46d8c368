-- The official tally of each canonical group on each scrutin. A group that changed uid (SOC in the
-- 16th, UDR in the 17th) is one group: its uids' tallies are summed (they never share a scrutin in
-- the real files, but a sum stays right if they ever do) and the raw uids are kept in group_uids.
with

tallies as (
    select * from {{ ref('stg_assemblee__group_tallies') }}
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
        list(distinct tallies.group_uid order by tallies.group_uid) as group_uids,
        sum(tallies.n_members)::integer as n_members,
        sum(tallies.n_for)::integer as n_for,
        sum(tallies.n_against)::integer as n_against,
        sum(tallies.n_abstain)::integer as n_abstain,
        sum(tallies.n_non_voting)::integer as n_non_voting
    from tallies
    inner join group_uids
        on tallies.legislature = group_uids.legislature
        and tallies.group_uid = group_uids.group_uid
    group by all
)

select * from final
