-- The columns of an index row move together (a code belongs to a few resource types, a value to
-- one system). Planned as independent, their selectivities multiply and the planner underestimates
-- a common code thirtyfold, starting a search from it instead of from the patient. Extended
-- statistics tell it how they depend on each other.
CREATE STATISTICS sp_token_stats (dependencies, mcv) ON res_type, code, system, value FROM sp_token;
CREATE STATISTICS sp_reference_stats (dependencies, mcv) ON res_type, code, ref FROM sp_reference;
CREATE STATISTICS sp_date_stats (dependencies, mcv) ON res_type, code FROM sp_date;
CREATE STATISTICS sp_string_stats (dependencies, mcv) ON res_type, code, value FROM sp_string;
CREATE STATISTICS sp_quantity_stats (dependencies, mcv) ON res_type, code, system, unit FROM sp_quantity;
