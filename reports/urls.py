# The home page is routed in kontum_poverty/urls.py as plain "home" (LOGIN_REDIRECT_URL uses it);
# dashboards and PDF downloads will live here under the "reports" namespace.
app_name = "reports"

urlpatterns: list = []
