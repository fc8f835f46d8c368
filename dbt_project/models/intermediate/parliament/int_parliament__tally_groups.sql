-- Which group each tally of each scrutin is. A tally whose uid a seed row or an organe file knows is
-- that group (group_resolution 'source'). Any other uid (the placeholder PO0 of twelve scrutins of
-- 2024-12-02, a uid nothing describes) is resolved from its voters: each voter's group on the vote
-- date from the GP memberships of every loaded AMO dump, else, for a voter no membership covers,
-- the group under which the same deputy's ballot appears in the nearest scrutin whose tally the
-- source names. When every placed voter is in one group, the tally is that group
-- ('voter_memberships', or 'neighbour_votes' when at least one voter needed a neighbour); when they
-- are in several groups, or none can be placed, the tally keeps its source uid ('unresolved').
with

tallies as (
    select * from {{ ref('stg_assemblee__group_tallies') }}
),

votes as (
    select * from {{ ref('stg_assemblee__votes') }}
),

scrutins as (
    select * from {{ ref('stg_assemblee__scrutins') }}
),

seed_groups as (
    select * from {{ ref('ref_parliament_groups') }}
),

organes as (
    select * from {{ ref('stg_assemblee__organes') }}
),

group_mandates as (
    select * from {{ ref('stg_assemblee__mandates') }}
    where organe_type = 'GP'
),

dated_tallies as (
    select
        tallies.scrutin_uid,
        tallies.legislature,
        tallies.tally_number,
        tallies.source_group_uid,
        scrutins.vote_date,
        scrutins.scrutin_number,
        seed_groups.group_uid is not null
            or tallies.source_group_uid in (select organe_uid from organes) as is_named_by_source
    from tallies
    inner join scrutins
        on tallies.scrutin_uid = scrutins.scrutin_uid
    left join seed_groups
        on tallies.legislature = seed_groups.legislature
        and tallies.source_group_uid = seed_groups.group_uid
),

ballots as (
    select
        votes.deputy_uid,
        dated_tallies.*
    from votes
    inner join dated_tallies
        on votes.scrutin_uid = dated_tallies.scrutin_uid
        and votes.tally_number = dated_tallies.tally_number
),

ballots_to_place as (
    select * from ballots where not is_named_by_source
),

-- the newest GP membership covering the vote date (a deputy who changed group that day is in the new one)
membership_groups as (
    select
        ballots_to_place.scrutin_uid,
        ballots_to_place.tally_number,
        ballots_to_place.deputy_uid,
        group_mandates.organe_uid as group_uid,
        'voter_memberships' as found_by
    from ballots_to_place
    inner join group_mandates
        on ballots_to_place.deputy_uid = group_mandates.deputy_uid
        and ballots_to_place.vote_date >= group_mandates.start_date
        and ballots_to_place.vote_date <= coalesce(group_mandates.end_date, date '9999-12-31')
    qualify row_number() over (
        partition by ballots_to_place.scrutin_uid, ballots_to_place.tally_number, ballots_to_place.deputy_uid
        order by group_mandates.start_date desc, group_mandates.mandate_uid
    ) = 1
),

-- for a voter no membership places: the nearest scrutin (in days, then in scrutin numbers, the
-- earlier one first on a tie) where the source names the group of the same deputy's ballot
neighbour_groups as (
    select
        unplaced.scrutin_uid,
        unplaced.tally_number,
        unplaced.deputy_uid,
        named.source_group_uid as group_uid,
        'neighbour_votes' as found_by
    from ballots_to_place as unplaced
    anti join membership_groups
        on unplaced.scrutin_uid = membership_groups.scrutin_uid
        and unplaced.tally_number = membership_groups.tally_number
        and unplaced.deputy_uid = membership_groups.deputy_uid
    inner join ballots as named
        on unplaced.deputy_uid = named.deputy_uid
        and unplaced.legislature = named.legislature
        and named.is_named_by_source
    qualify row_number() over (
        partition by unplaced.scrutin_uid, unplaced.tally_number, unplaced.deputy_uid
        order by
            abs(datediff('day', unplaced.vote_date, named.vote_date)),
            abs(unplaced.scrutin_number - named.scrutin_number),
            named.scrutin_number
    ) = 1
),

voter_groups as (
    select
        placed.*,
        coalesce(seed_groups.group_code, placed.group_uid) as group_code
    from (
        select * from membership_groups
        union all
        select * from neighbour_groups
    ) as placed
    inner join dated_tallies
        on placed.scrutin_uid = dated_tallies.scrutin_uid
        and placed.tally_number = dated_tallies.tally_number
    left join seed_groups
        on dated_tallies.legislature = seed_groups.legislature
        and placed.group_uid = seed_groups.group_uid
),

-- the uid a resolved tally takes: its voters' most common one (a group that changed uid has two)
uid_counts as (
    select scrutin_uid, tally_number, group_uid, count(*) as n_voters
    from voter_groups
    group by all
),

most_common_uids as (
    select
        scrutin_uid,
        tally_number,
        first(group_uid order by n_voters desc, group_uid) as group_uid
    from uid_counts
    group by all
),

placements as (
    select
        voter_groups.scrutin_uid,
        voter_groups.tally_number,
        count(distinct voter_groups.group_code) as n_groups_found,
        count(*) as n_voters_placed,
        bool_or(voter_groups.found_by = 'neighbour_votes') as used_neighbour_votes,
        any_value(most_common_uids.group_uid) as most_common_uid
    from voter_groups
    inner join most_common_uids
        on voter_groups.scrutin_uid = most_common_uids.scrutin_uid
        and voter_groups.tally_number = most_common_uids.tally_number
    group by voter_groups.scrutin_uid, voter_groups.tally_number
),

tally_voters as (
    select scrutin_uid, tally_number, count(*) as n_voters
    from ballots_to_place
    group by all
),

final as (
    select
        dated_tallies.scrutin_uid,
        dated_tallies.legislature,
        dated_tallies.tally_number,
        dated_tallies.source_group_uid,
        case
            when dated_tallies.is_named_by_source then dated_tallies.source_group_uid
            when placements.n_groups_found = 1 then placements.most_common_uid
            else dated_tallies.source_group_uid
        end as group_uid,
        case
            when dated_tallies.is_named_by_source then 'source'
            when placements.n_groups_found = 1 and placements.used_neighbour_votes then 'neighbour_votes'
            when placements.n_groups_found = 1 then 'voter_memberships'
            else 'unresolved'
        end as group_resolution,
        case
            when dated_tallies.is_named_by_source or placements.n_groups_found = 1 then null
            when placements.n_groups_found > 1 then 'voters in ' || placements.n_groups_found || ' groups'
            when coalesce(tally_voters.n_voters, 0) = 0 then 'no nominative voters'
            else 'no group found for its voters'
        end as unresolved_reason,
        coalesce(tally_voters.n_voters, 0)::integer as n_voters_to_place,
        coalesce(placements.n_voters_placed, 0)::integer as n_voters_placed
    from dated_tallies
    left join placements
        on dated_tallies.scrutin_uid = placements.scrutin_uid
        and dated_tallies.tally_number = placements.tally_number
    left join tally_voters
        on dated_tallies.scrutin_uid = tally_voters.scrutin_uid
        and dated_tallies.tally_number = tally_voters.tally_number
)

select * from final
