-- Referrals by service in the briefing quarter's year (rows per referring x receiving type x service).
SELECT * FROM referral_flows_by_service WHERE year = year($quarter)
