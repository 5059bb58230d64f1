from django.urls import path

from shopapp.pages import changes, connection, dashboard, fulfilment, orders, preview, settings_page, waves_page

app_name = "pages"

urlpatterns = [
    path("setup-guide/dismiss", dashboard.dismiss_guide, name="dismiss_guide"),
    path("orders/", orders.orders, name="orders"),
    path("orders/progress", orders.progress, name="progress"),
    path("orders/push", orders.push, name="push"),
    path("orders/retry", orders.retry_orders, name="retry"),
    path("orders/shipments.csv", orders.shipments_file, name="shipments_file"),
    path("orders/<int:record_id>/", orders.order, name="order"),
    path("preview/", preview.preview, name="preview"),
    path("changes/approve-all", changes.approve_all, name="changes_approve_all"),
    path("changes/<int:change_id>/decide", changes.decide, name="change_decide"),
    path("connection/", connection.connection, name="connection"),
    path("connection/add", connection.add, name="connection_add"),
    path("connection/pulls", connection.pulls, name="connection_pulls"),
    path("connection/<int:connection_id>/test", connection.test, name="connection_test"),
    path("connection/<int:connection_id>/fetch", connection.fetch, name="connection_fetch"),
    path("connection/<int:connection_id>/remove", connection.remove, name="connection_remove"),
    path("settings/", settings_page.settings_page, name="settings"),
    path("waves/", waves_page.waves_page, name="waves"),
    path("waves/create", waves_page.create, name="waves_create"),
    path("waves/hold-new", waves_page.hold_new, name="waves_hold_new"),
    path("waves/<int:wave_id>/release", waves_page.release, name="waves_release"),
    path("waves/<int:wave_id>/schedule", waves_page.schedule, name="waves_schedule"),
    path(
        "transaction-data/request-off",
        fulfilment.request_transaction_data_off_view,
        name="request_transaction_data_off",
    ),
]
