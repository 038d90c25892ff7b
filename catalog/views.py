from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def catalog_index(request: HttpRequest) -> HttpResponse:
    return render(request, "catalog/index.html", {"products": []})
