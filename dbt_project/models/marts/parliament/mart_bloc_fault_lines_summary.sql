-- How often each split happens, per vote kind: e.g. "against: ECO, GDR, LFI | abstain: SOC".
-- share_of_kind_votes divides by the votes of that kind where every member group had a position.
with

bloc_votes as (
    select * from {{ ref('int_parliament__bloc_votes') }}
    where all_groups_have_position
),

kind_totals as (
    select legislature, bloc, vote_kind, count(*)::integer as n_kind_votes
    from bloc_votes
    group by all
),

splits as (
    select
        legislature,
        bloc,
        vote_kind,
        positions_taken,
        {{ fault_line_label('bloc_votes') }} as split_label,
        count(*)::integer as n_votes
    from bloc_votes
    where not is_unanimous
    group by all
),

final as (
    select
        splits.legislature,
        splits.bloc,
        splits.vote_kind,
        splits.positions_taken,
        splits.split_label,
        splits.n_votes,
        kind_totals.n_kind_votes,
        {{ safe_ratio('splits.n_votes', 'kind_totals.n_kind_votes') }} as share_of_kind_votes
    from splits
    inner join kind_totals
        on splits.legislature = kind_totals.legislature
        and splits.bloc = kind_totals.bloc
        and splits.vote_kind = kind_totals.vote_kind
)

select * from final
