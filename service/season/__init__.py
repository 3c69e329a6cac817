"""The Innovationspraktik season in the database: seasons and phases, participants, scenarios,
locks and letters. Every change a coordinator makes is audit-logged (kind "season")."""
