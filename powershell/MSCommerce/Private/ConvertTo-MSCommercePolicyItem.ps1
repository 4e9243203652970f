function ConvertTo-MSCommercePolicyItem {
    <#
    .SYNOPSIS
        Turns a product or offer-type item of the service into an MSCommerce.ProductPolicy or
        MSCommerce.OfferTypePolicy object.

    .DESCRIPTION
        Like Microsoft's module 2.x, an item whose scope is 'product' becomes a product (PolicyId, PolicyValue,
        ProductName, ProductId) and any other item an offer type (PolicyId, PolicyValue, Scope, ScopeValue,
        ScopeId). An item without scope but with a productId is a product too.

    .PARAMETER InputObject
        One item as the service returns it.

    .EXAMPLE
        ConvertTo-MSCommercePolicyItem -InputObject $response

        Returns an MSCommerce.ProductPolicy object for a product item.

    .OUTPUTS
        MSCommerce.ProductPolicy or MSCommerce.OfferTypePolicy.
    #>
    [CmdletBinding()]
    [OutputType('MSCommerce.ProductPolicy', 'MSCommerce.OfferTypePolicy')]
    param(
        [Parameter(Mandatory)]
        [psobject]$InputObject
    )

    $scope = [string]$InputObject.scope
    $productId = [string]$InputObject.productId
    if ($scope -eq 'product' -or ([string]::IsNullOrEmpty($scope) -and -not [string]::IsNullOrEmpty($productId))) {
        return [pscustomobject]@{
            PSTypeName  = 'MSCommerce.ProductPolicy'
            PolicyId    = [string]$InputObject.policyId
            PolicyValue = [string]$InputObject.policyValue
            ProductName = [string]$InputObject.productName
            ProductId   = $productId
        }
    }
    [pscustomobject]@{
        PSTypeName  = 'MSCommerce.OfferTypePolicy'
        PolicyId    = [string]$InputObject.policyId
        PolicyValue = [string]$InputObject.policyValue
        Scope       = $scope
        ScopeValue  = [string]$InputObject.scopeValue
        ScopeId     = [string]$InputObject.scopeId
    }
}
