"""Analytics: the provincial monitoring projections and dashboard."""
