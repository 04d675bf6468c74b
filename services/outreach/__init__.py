"""Outreach: contacts borrowers within the rules of conduct and climbs each case's strategy ladder."""
