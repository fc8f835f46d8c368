-- One row per in-scope vote and bloc (NUPES, NFP): how its member groups voted.
-- all_groups_have_position needs every member group of the seed for that legislature to have a
-- position (a member group missing from the record counts as no position). The bloc's own
-- Agreement Index is taken on its groups' summed tally; the within-group index is the member
-- groups' indices weighted by their ballots cast T (methods.md).
with

group_votes as (
    select * from {{ ref('int_parliament__cohesion_group_votes') }}
    where bloc is not null
),

bloc_sizes as (
    select legislature, bloc, count(distinct group_code) as n_member_groups
    from {{ ref('ref_parliament_groups') }}
    where bloc is not null
    group by all
),

per_vote as (
    select
        scrutin_uid,
        legislature,
        vote_date,
        vote_month,
        vote_kind,
        bloc,
        count(position) as n_groups_with_position,
        count(distinct position) as n_distinct_positions,
        sum(n_for) as n_for,
        sum(n_against) as n_against,
        sum(n_abstain) as n_abstain,
        {{ safe_ratio('sum(agreement_index * n_cast)', 'sum(n_cast)') }} as within_group_agreement_index,
        string_agg(group_code, ', ' order by group_code) filter (where position = 'for') as groups_for,
        string_agg(group_code, ', ' order by group_code) filter (where position = 'against') as groups_against,
        string_agg(group_code, ', ' order by group_code) filter (where position = 'abstain') as groups_abstain,
        string_agg(distinct position, ' / ' order by position) as positions_taken
    from group_votes
    group by all
),

final as (
    select
        per_vote.*,
        per_vote.n_groups_with_position = bloc_sizes.n_member_groups as all_groups_have_position,
        per_vote.n_groups_with_position = bloc_sizes.n_member_groups
            and per_vote.n_distinct_positions = 1 as is_unanimous,
        {{ agreement_index('per_vote.n_for', 'per_vote.n_against', 'per_vote.n_abstain') }} as bloc_agreement_index
    from per_vote
    inner join bloc_sizes
        on per_vote.legislature = bloc_sizes.legislature
        and per_vote.bloc = bloc_sizes.bloc
)

select * from final
