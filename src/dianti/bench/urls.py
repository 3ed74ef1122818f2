"""The product's URLs and the ballots benchmark's baseline view, for the server the benchmark starts."""

from django.urls import path

from dianti.urls import urlpatterns as product_urlpatterns

from .views import baseline_ballot

urlpatterns = [*product_urlpatterns, path("_bench/ballot/<int:meeting>/<int:group>/", baseline_ballot)]
