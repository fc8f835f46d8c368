{#- Desposato (2005) small-group correction, exact: the expected Agreement Index of a random subset
    of `sample_size` ballots drawn without replacement from a group's T ballots (Y for, N against,
    A abstain) on one vote, under the multivariate hypergeometric distribution.

    `tallies` is a relation (or CTE name) with the columns in `key_columns` plus n_for, n_against,
    n_abstain. Every composition (y, n, a) of the sample size (231 of them for 20) is weighted by
    C(Y, y) C(N, n) C(A, a) / C(T, k), computed in logs so large groups do not overflow.
    Votes where the group cast fewer than `sample_size` ballots get no row: a subset of that size
    does not exist, and scoring the whole group instead would bring back the very inflation the
    correction removes. -#}
{% macro desposato_expected_agreement_index(tallies, key_columns, sample_size) -%}
    with compositions as (
        select
            sample_for.k_for,
            sample_against.k_against,
            {{ sample_size }} - sample_for.k_for - sample_against.k_against as k_abstain
        from range(0, {{ sample_size }} + 1) as sample_for (k_for)
        cross join range(0, {{ sample_size }} + 1) as sample_against (k_against)
        where sample_for.k_for + sample_against.k_against <= {{ sample_size }}
    ),

    eligible as (
        select *
        from {{ tallies }}
        where {{ ballots_cast('n_for', 'n_against', 'n_abstain') }} >= {{ sample_size }}
    ),

    weighted as (
        select
            {% for column in key_columns %}eligible.{{ column }},
            {% endfor -%}
            exp(
                {{ ln_binomial('eligible.n_for', 'compositions.k_for') }}
                + {{ ln_binomial('eligible.n_against', 'compositions.k_against') }}
                + {{ ln_binomial('eligible.n_abstain', 'compositions.k_abstain') }}
                - {{ ln_binomial(ballots_cast('eligible.n_for', 'eligible.n_against', 'eligible.n_abstain'), sample_size) }}
            ) as probability,
            {{ agreement_index('compositions.k_for', 'compositions.k_against', 'compositions.k_abstain') }} as sample_agreement_index
        from eligible
        inner join compositions
            on compositions.k_for <= eligible.n_for
            and compositions.k_against <= eligible.n_against
            and compositions.k_abstain <= eligible.n_abstain
    )

    select
        {% for column in key_columns %}{{ column }},
        {% endfor -%}
        sum(probability * sample_agreement_index) as expected_agreement_index
    from weighted
    group by all
{%- endmacro %}

{#- ln C(n, k) through lgamma: exact enough (1e-12) and never overflows. -#}
{% macro ln_binomial(n, k) -%}
    (lgamma(({{ n }}) + 1) - lgamma(({{ k }}) + 1) - lgamma(({{ n }}) - ({{ k }}) + 1))
{%- endmacro %}
