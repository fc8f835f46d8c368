-- Per legislature x group x bill kind: how the group voted on the final votes on whole texts
-- (vote_kind final_vote, in scope) of the bills linked to a dossier (int_dossiers__bill_kinds),
-- counted by the group's position; the support rate is the share "for" among the votes where the
-- group has a position.
with

group_votes as (
    select * from {{ ref('fct_group_votes') }}
    where in_cohesion_scope and is_final_vote and not is_unknown_group
),

bill_kinds as (
    select * from {{ ref('int_dossiers__bill_kinds') }}
),

final as (
    select
        group_votes.legislature,
        group_votes.group_code,
        group_votes.bloc,
        bill_kinds.bill_kind,
        count(distinct group_votes.dossier_uid)::integer as n_dossiers,
        count(group_votes.position)::integer as n_votes,
        (count(*) filter (where group_votes.position = 'for'))::integer as n_for,
        (count(*) filter (where group_votes.position = 'against'))::integer as n_against,
        (count(*) filter (where group_votes.position = 'abstain'))::integer as n_abstain,
        {{ safe_ratio("count(*) filter (where group_votes.position = 'for')", 'count(group_votes.position)') }}
            as support_rate
    from group_votes
    inner join bill_kinds
        on group_votes.dossier_uid = bill_kinds.dossier_uid
    group by group_votes.legislature, group_votes.group_code, group_votes.bloc, bill_kinds.bill_kind
)

select * from final
