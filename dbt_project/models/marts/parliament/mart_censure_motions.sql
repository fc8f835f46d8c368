-- Motions of censure record only "pour" ballots: each group is described by the share of its
-- members who voted for (n_members is the group's membership published on that vote).
with

group_votes as (
    select * from {{ ref('int_parliament__group_votes') }}
),

scrutins as (
    select * from {{ ref('int_parliament__scrutins') }}
    where is_censure_motion
),

final as (
    select
        scrutins.scrutin_uid,
        scrutins.legislature,
        scrutins.vote_date,
        scrutins.title,
        scrutins.outcome_code as outcome,
        scrutins.n_for as motion_n_for,
        scrutins.n_required as motion_n_required,
        group_votes.group_code,
        group_votes.bloc,
        group_votes.is_unknown_group,
        group_votes.n_members as members,
        group_votes.n_for,
        {{ safe_ratio('group_votes.n_for', 'group_votes.n_members') }} as share_for
    from scrutins
    inner join group_votes
        on scrutins.scrutin_uid = group_votes.scrutin_uid
)

select * from final
