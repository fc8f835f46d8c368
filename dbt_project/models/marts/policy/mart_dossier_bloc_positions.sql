-- Per dossier with a final vote x final vote x bloc: which of the alliance's groups voted for,
-- against or abstained on the whole text (l'ensemble, a resolution, a constitutional bill), and
-- whether the alliance split on it; a dossier can have several final votes (readings, a joint text).
with

bloc_votes as (

    select * from {{ ref('int_parliament__bloc_votes') }}

),

scrutins as (

    select * from {{ ref('int_parliament__scrutins') }}

),

scrutin_policy_areas as (

    select * from {{ ref('int_dossiers__scrutin_policy_areas') }}

),

final_votes as (

    select
        scrutin_policy_areas.dossier_uid,
        scrutin_policy_areas.policy_area,
        bloc_votes.legislature,
        bloc_votes.scrutin_uid,
        bloc_votes.vote_date,
        scrutins.title as vote_title,
        bloc_votes.bloc,
        bloc_votes.groups_for,
        bloc_votes.groups_against,
        bloc_votes.groups_abstain,
        bloc_votes.n_groups_with_position::integer as n_groups_with_position,
        bloc_votes.all_groups_have_position,
        bloc_votes.n_distinct_positions > 1 as alliance_split

    from bloc_votes
    inner join scrutins
        on bloc_votes.scrutin_uid = scrutins.scrutin_uid
    inner join scrutin_policy_areas
        on bloc_votes.scrutin_uid = scrutin_policy_areas.scrutin_uid
    where scrutins.is_final_vote
        and scrutin_policy_areas.dossier_uid is not null

),

final as (

    select
        *,
        bool_or(alliance_split) over (partition by dossier_uid, bloc) as alliance_split_on_dossier

    from final_votes

)

select * from final
