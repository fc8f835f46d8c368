-- The votes where the bloc split: every member group had a position and they were not all the same.
with

bloc_votes as (
    select * from {{ ref('int_parliament__bloc_votes') }}
    where all_groups_have_position and not is_unanimous
),

scrutins as (
    select * from {{ ref('int_parliament__scrutins') }}
),

final as (
    select
        bloc_votes.scrutin_uid,
        bloc_votes.legislature,
        bloc_votes.bloc,
        bloc_votes.vote_date,
        bloc_votes.vote_kind,
        scrutins.vote_type_code,
        scrutins.title,
        scrutins.outcome_code as outcome,
        bloc_votes.groups_for,
        bloc_votes.groups_against,
        bloc_votes.groups_abstain,
        bloc_votes.positions_taken,
        {{ fault_line_label('bloc_votes') }} as split_label,
        bloc_votes.bloc_agreement_index,
        bloc_votes.within_group_agreement_index
    from bloc_votes
    inner join scrutins
        on bloc_votes.scrutin_uid = scrutins.scrutin_uid
)

select * from final
