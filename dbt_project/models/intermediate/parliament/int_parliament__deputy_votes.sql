-- Each deputy's ballot from the nominative record, with the mise au point (correction) published for
-- it set NEXT to it. Corrections by deputies who are not in the record (absent, then saying how they
-- would have voted) are kept as rows of their own with appears_in_record false and no position.
-- A ballot's group is the group its tally resolves to (int_parliament__tally_groups); the uid the
-- file gives stays in source_group_uid.
with

votes as (
    select * from {{ ref('stg_assemblee__votes') }}
),

tally_groups as (
    select * from {{ ref('int_parliament__tally_groups') }}
),

corrections as (
    select * from {{ ref('stg_assemblee__vote_corrections') }}
),

group_uids as (
    select * from {{ ref('int_parliament__group_uids') }}
),

combined as (
    select
        coalesce(votes.scrutin_uid, corrections.scrutin_uid) as scrutin_uid,
        coalesce(votes.legislature, corrections.legislature) as legislature,
        coalesce(votes.deputy_uid, corrections.deputy_uid) as deputy_uid,
        coalesce(votes.mandate_uid, corrections.mandate_uid) as mandate_uid,
        tally_groups.source_group_uid,
        tally_groups.group_uid,
        votes.position,
        votes.by_delegation,
        votes.non_voting_cause,
        votes.seat_number,
        votes.deputy_uid is not null as appears_in_record,
        corrections.corrected_position,
        corrections.is_malfunction as correction_is_malfunction
    from votes
    left join tally_groups
        on votes.scrutin_uid = tally_groups.scrutin_uid
        and votes.tally_number = tally_groups.tally_number
    full outer join corrections
        on votes.scrutin_uid = corrections.scrutin_uid
        and votes.deputy_uid = corrections.deputy_uid
),

final as (
    select
        combined.*,
        group_uids.group_code,
        coalesce(group_uids.is_unknown_group, false) as is_unknown_group
    from combined
    left join group_uids
        on combined.legislature = group_uids.legislature
        and combined.group_uid = group_uids.group_uid
)

select * from final
