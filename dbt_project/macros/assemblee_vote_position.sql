{#
  The Assemblée's vote categories in English, the one mapping every model uses:
  pour -> for, contre -> against, abstention -> abstain, nonVotant -> non_voting,
  nonVotantVolontaire (corrections only) -> non_voting_voluntary.
  An unknown word passes through unchanged, so the models' accepted_values tests name it
  instead of it turning silently into a null.
#}
{% macro assemblee_vote_position(column) -%}
    case {{ column }}
        when 'pour' then 'for'
        when 'contre' then 'against'
        when 'abstention' then 'abstain'
        when 'nonVotant' then 'non_voting'
        when 'nonVotantVolontaire' then 'non_voting_voluntary'
        else {{ column }}
    end
{%- endmacro %}
