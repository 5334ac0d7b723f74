-- @description: every share is between 0 and 1 and the estimate lies within its low-high range
select month, level, segment, client_id, category, share_low, share, share_high
from marts.competitor_share
where share_low < 0 or share_high > 1 or share_low > share_high
    or share < share_low or share > share_high
