from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def cart_detail(request: HttpRequest) -> HttpResponse:
    return render(request, "checkout/cart.html", {"lines": []})


def order_list(request: HttpRequest) -> HttpResponse:
    return render(request, "checkout/order_list.html", {"orders": []})
