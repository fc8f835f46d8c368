with

group_votes as (
    select * from {{ ref('int_parliament__group_votes') }}
)

select * from group_votes
