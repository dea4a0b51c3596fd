# Rollups and surveys arrive with the analytics issue; events are written by community.Event.
