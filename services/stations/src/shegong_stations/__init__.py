"""Stations service (社工站看板): read models per station, district and city, built from every
domain's events; the weekly roundup (一周掠影); a JSON query API and a dashboard."""
