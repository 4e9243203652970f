function ConvertTo-MSCommerceSubscription {
    <#
    .SYNOPSIS
        Turns a subscription of the service's answer into an MSCommerce.Subscription object.

    .DESCRIPTION
        Keeps the service's fields under PowerShell names, with SubscriptionId (so that the object binds to the
        -SubscriptionId parameter of other commands through the pipeline), dates as UTC DateTime values, prices
        as Decimal values, and the assigned users (MSCommerce.AssignedUser objects) when the answer has them: an
        answer for one subscription does, a list does not, and AssignedUsers is then empty.

    .PARAMETER InputObject
        One subscription as the service answers it.

    .EXAMPLE
        ConvertTo-MSCommerceSubscription -InputObject $answer

        Converts one subscription.

    .OUTPUTS
        MSCommerce.Subscription.
    #>
    [CmdletBinding()]
    [OutputType('MSCommerce.Subscription')]
    param(
        [Parameter(Mandatory)]
        [psobject]$InputObject
    )

    $purchaser = $null
    $purchaserName = $null
    $purchaserId = $null
    if ($null -ne $InputObject.purchaser) {
        $purchaser = [string]$InputObject.purchaser.userPrincipalName
        $purchaserName = [string]$InputObject.purchaser.displayName
        $purchaserId = [string]$InputObject.purchaser.id
    }
    $users = @()
    if ($null -ne $InputObject.assignedUsers) {
        $users = @($InputObject.assignedUsers | ForEach-Object -Process {
                [pscustomobject]@{
                    PSTypeName        = 'MSCommerce.AssignedUser'
                    UserId            = [string]$_.id
                    DisplayName       = [string]$_.displayName
                    UserPrincipalName = [string]$_.userPrincipalName
                    AssignedAt        = ConvertTo-MSCommerceUtcDateTime -Value $_.assignedAt
                }
            })
    }
    [pscustomobject]@{
        PSTypeName          = 'MSCommerce.Subscription'
        SubscriptionId      = [string]$InputObject.id
        ProductId           = [string]$InputObject.productId
        ProductName         = [string]$InputObject.productName
        Scope               = [string]$InputObject.scope
        PurchaseType        = [string]$InputObject.purchaseType
        AcquisitionKind     = [string]$InputObject.acquisitionKind
        Purchaser           = $purchaser
        PurchaserName       = $purchaserName
        PurchaserId         = $purchaserId
        Quantity            = [long]$InputObject.quantity
        AssignedCount       = [long]$InputObject.assignedCount
        UnitPrice           = ConvertTo-MSCommerceDecimal -Value $InputObject.unitPrice
        TotalPrice          = ConvertTo-MSCommerceDecimal -Value $InputObject.totalPrice
        Currency            = [string]$InputObject.currency
        BillingFrequency    = [string]$InputObject.billingFrequency
        CreatedAt           = ConvertTo-MSCommerceUtcDateTime -Value $InputObject.createdAt
        ExpiresAt           = ConvertTo-MSCommerceUtcDateTime -Value $InputObject.expiresAt
        AutoRenew           = [bool]$InputObject.autoRenew
        Status              = [string]$InputObject.status
        CancelledAt         = ConvertTo-MSCommerceUtcDateTime -Value $InputObject.cancelledAt
        CancellationReason  = [string]$InputObject.cancellationReason
        CancellationComment = [string]$InputObject.cancellationComment
        AssignedUsers       = $users
        ETag                = [string]$InputObject.etag
    }
}
