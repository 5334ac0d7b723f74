-- @grain: one row per month (its period end: the month end, or as_of for the month in progress) and level: each client × category with a competitor note in the 12 months to that date, and each segment × category
-- @unique: month, level, segment, client_id, category
-- @not_null: month, as_of, level, segment, category, our_monthly_sales
-- @incremental: month by month
-- @description: share of wallet and estimated market share. Our monthly sales = net sales of the 12 calendar months ending with the month / 12 (not below 0). Notes: per client, category and competitor (its name compared in lower case, runs of spaces as one) the latest note in the 12 months to as_of that gives a share or a volume; monthly_volume is used when given, else share_pct. Client level: wallet = (ours + Σ competitor volumes) / (1 - Σ competitor shares), share = ours / wallet (shares adding up to 100 % or more are read as 99 % and flagged). Segment level, over the segment's clients that buy the category from us or have notes: the noted clients' wallets are known; for clients without notes the rule is stated per bound: share_high assumes they buy the category only from us; share_point assumes their share of wallet is the noted clients' pooled share; share_low assumes it is the lowest share of wallet above 0 among the noted clients (or the pooled share, if lower), and is 0 when no noted client buys from us (nothing known)
with

months as (
    select * from core.core_calendar_months
    where month >= coalesce(getvariable('rebuild_from'), date '0001-01-01')
),

sales as (
    select * from marts.sales_monthly
    where month >= coalesce(getvariable('rebuild_from'), date '0001-01-01') - interval 12 month
),

-- a note with neither a share nor a volume says nothing of the wallet: the client stays unnoted
notes as (
    select * from staging.stg_competitor_notes
    where noted_on >= coalesce(getvariable('rebuild_from'), date '0001-01-01') - interval 13 month
        and (share_pct is not null or monthly_volume is not null)
),

clients as (
    select * from staging.stg_clients
),

ours as (
    select
        months.month,
        months.period_end as as_of,
        sales.client_id,
        sales.category,
        cast(greatest(sum(sales.net_sales) / 12, 0) as decimal(38, 8)) as our_monthly_sales
    from months
    join sales
        on sales.month <= months.month
        and sales.month > (months.month - interval 12 month)::date
    group by all
),

latest_notes as (
    select
        months.month,
        notes.client_id,
        notes.category,
        notes.competitor_key as competitor,
        notes.share_pct,
        notes.monthly_volume
    from months
    join notes
        on notes.noted_on <= months.period_end
        and notes.noted_on > (months.period_end - interval 12 month)::date
    qualify row_number() over (
        partition by months.month, notes.client_id, notes.category, notes.competitor_key
        order by notes.noted_on desc, notes.competitor
    ) = 1
),

noted as (
    select
        month,
        client_id,
        category,
        count(*) as competitors,
        coalesce(sum(monthly_volume), 0) as competitor_volume,
        coalesce(sum(share_pct) filter (where monthly_volume is null), 0) / 100 as competitor_share_raw
    from latest_notes
    group by all
),

client_level as (
    select
        coalesce(ours.month, noted.month) as month,
        coalesce(ours.client_id, noted.client_id) as client_id,
        coalesce(ours.category, noted.category) as category,
        coalesce(ours.our_monthly_sales, 0) as our_monthly_sales,
        noted.competitors,
        noted.competitor_volume,
        least(noted.competitor_share_raw, 0.99) as competitor_share,
        noted.competitor_share_raw >= 1 as is_inconsistent
    from ours
    full join noted
        on noted.month = ours.month
        and noted.client_id = ours.client_id
        and noted.category = ours.category
),

wallets as (
    select
        client_level.*,
        clients.segment,
        months.period_end as as_of,
        cast(case when competitors is not null
            then (our_monthly_sales + competitor_volume) / (1 - competitor_share) end as decimal(38, 8)) as wallet
    from client_level
    join months
        on months.month = client_level.month
    join clients
        on clients.client_id = client_level.client_id
),

client_rows as (
    select
        month,
        as_of,
        'client' as level,
        segment,
        client_id,
        category,
        our_monthly_sales,
        wallet - our_monthly_sales as competitor_monthly_sales,
        wallet,
        -- exact on the stored mean and wallet (the segment's estimates below divide in doubles); a client's wallet
        -- is known, so its range is the share itself
        case when wallet > 0 then kam_ratio4(our_monthly_sales, wallet) else 0 end as share,
        share as share_low,
        share as share_high,
        competitors,
        1 as noted_clients,
        0 as unnoted_clients,
        is_inconsistent
    from wallets
    where competitors is not null
),

segment_sums as (
    select
        month,
        as_of,
        segment,
        category,
        sum(our_monthly_sales) as our_monthly_sales,
        sum(our_monthly_sales) filter (where competitors is not null) as noted_ours,
        sum(wallet) filter (where competitors is not null) as noted_wallet,
        sum(our_monthly_sales) filter (where competitors is null) as unnoted_ours,
        min(our_monthly_sales / wallet) filter (where competitors is not null and wallet > 0 and our_monthly_sales > 0) as lowest_share,
        count(*) filter (where competitors is not null) as noted_clients,
        count(*) filter (where competitors is null) as unnoted_clients,
        bool_or(coalesce(is_inconsistent, false)) as is_inconsistent
    from wallets
    -- a client without notes counts when it buys the category from us: net sales of the 12 months above 0 (one
    -- with only returns, or as much returned as bought, is no buyer and no evidence of the market)
    where competitors is not null
        or our_monthly_sales > 0
    group by all
),

segment_competitors as (
    select
        latest_notes.month,
        clients.segment,
        latest_notes.category,
        count(distinct latest_notes.competitor) as competitors
    from latest_notes
    join clients
        on clients.client_id = latest_notes.client_id
    group by all
),

segment_rows as (
    select
        segment_sums.month,
        segment_sums.as_of,
        'segment' as level,
        segment_sums.segment,
        null as client_id,
        segment_sums.category,
        segment_sums.our_monthly_sales,
        coalesce(segment_sums.noted_wallet, 0) - coalesce(segment_sums.noted_ours, 0) as competitor_monthly_sales,
        -- the point estimate's wallet: unnoted clients at the noted clients' pooled share
        case when segment_sums.unnoted_clients = 0 then segment_sums.noted_wallet
            when segment_sums.noted_ours > 0
                then segment_sums.noted_wallet + segment_sums.unnoted_ours * segment_sums.noted_wallet / segment_sums.noted_ours
        end as wallet,
        case
            when segment_sums.unnoted_clients = 0 then
                case when segment_sums.noted_wallet > 0 then segment_sums.our_monthly_sales / segment_sums.noted_wallet else 0 end
            when segment_sums.noted_ours > 0 then
                segment_sums.our_monthly_sales
                / (segment_sums.noted_wallet + segment_sums.unnoted_ours * segment_sums.noted_wallet / segment_sums.noted_ours)
        end as share,
        case
            when segment_sums.unnoted_clients = 0 then
                case when segment_sums.noted_wallet > 0 then segment_sums.our_monthly_sales / segment_sums.noted_wallet else 0 end
            when segment_sums.lowest_share > 0 and segment_sums.noted_ours > 0 then
                segment_sums.our_monthly_sales
                / (coalesce(segment_sums.noted_wallet, 0)
                    + segment_sums.unnoted_ours / least(segment_sums.lowest_share, segment_sums.noted_ours / segment_sums.noted_wallet))
            else 0
        end as share_low,
        case
            when coalesce(segment_sums.noted_wallet, 0) + coalesce(segment_sums.unnoted_ours, 0) > 0 then
                segment_sums.our_monthly_sales
                / (coalesce(segment_sums.noted_wallet, 0) + coalesce(segment_sums.unnoted_ours, 0))
            else 0
        end as share_high,
        coalesce(segment_competitors.competitors, 0) as competitors,
        segment_sums.noted_clients,
        segment_sums.unnoted_clients,
        segment_sums.is_inconsistent
    from segment_sums
    left join segment_competitors
        on segment_competitors.month = segment_sums.month
        and segment_competitors.segment = segment_sums.segment
        and segment_competitors.category = segment_sums.category
),

final as (
    select
        month,
        as_of,
        level,
        segment,
        client_id,
        category,
        cast(our_monthly_sales as decimal(38, 8)) as our_monthly_sales,
        cast(competitor_monthly_sales as decimal(38, 8)) as competitor_monthly_sales,
        cast(wallet as decimal(38, 8)) as wallet,
        cast(round(share, 4) as decimal(18, 4)) as share,
        cast(round(share_low, 4) as decimal(18, 4)) as share_low,
        cast(round(share_high, 4) as decimal(18, 4)) as share_high,
        cast(competitors as bigint) as competitors,
        cast(noted_clients as bigint) as noted_clients,
        cast(unnoted_clients as bigint) as unnoted_clients,
        coalesce(is_inconsistent, false) as is_inconsistent
    from client_rows
    union all
    select
        month,
        as_of,
        level,
        segment,
        client_id,
        category,
        cast(our_monthly_sales as decimal(38, 8)),
        cast(competitor_monthly_sales as decimal(38, 8)),
        cast(wallet as decimal(38, 8)),
        cast(round(share, 4) as decimal(18, 4)),
        cast(round(share_low, 4) as decimal(18, 4)),
        cast(round(share_high, 4) as decimal(18, 4)),
        cast(competitors as bigint),
        cast(noted_clients as bigint),
        cast(unnoted_clients as bigint),
        coalesce(is_inconsistent, false)
    from segment_rows
)

select * from final
