-- One row per day, the calendar MetricFlow joins metrics to (time grains, metric_time). A fixed range,
-- read from no source: it spans every vote and poll day the warehouse can hold, and a refresh never
-- needs to rebuild it.
with

days as (
    select range::date as date_day
    from range(date '1990-01-01', date '2041-01-01', interval 1 day)
),

final as (
    select date_day
    from days
)

select * from final
