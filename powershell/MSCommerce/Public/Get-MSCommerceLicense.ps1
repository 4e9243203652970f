function Get-MSCommerceLicense {
    <#
    .SYNOPSIS
        Shows the organization's self-service licenses per product, or who holds one product's, by purchaser.

    .DESCRIPTION
        Without -ProductId, calls GET /v1.0/licenses/products: one MSCommerce.ProductLicense per product, listed
        once however many users bought it, with AvailableQuantity (the licenses bought, summed over every active
        self-service subscription of the product) and AssignedCount. With -ProductId, calls
        GET /v1.0/licenses/products/{productId}: one MSCommerce.LicenseHolder per user holding a license, with
        the Purchaser who bought it, so that Format-Table -GroupBy Purchaser shows the users grouped by
        purchaser. Needs Global Administrator, Billing Administrator or Global Reader.

    .PARAMETER ProductId
        A product ID (current or old, any case) or a third-party offer type; binds from the pipeline by property
        name.

    .PARAMETER Token
        An access token to use instead of the one Connect-MSCommerce obtained.

    .EXAMPLE
        Get-MSCommerceLicense

        Lists every product bought through self-service, with its total quantity and assigned licenses.

    .EXAMPLE
        Get-MSCommerceLicense -ProductId CFQ7TTC0H9MP | Format-Table -GroupBy Purchaser

        Shows who holds Power BI Pro licenses, grouped by the user who bought them.

    .EXAMPLE
        Get-MSCommerceLicense | Get-MSCommerceLicense

        Lists every self-service license holder of every product.

    .INPUTS
        System.String. Product IDs, by property name (ProductId).

    .OUTPUTS
        MSCommerce.ProductLicense (ProductId, ProductName, Scope, SubscriptionCount, AvailableQuantity,
        AssignedCount), or MSCommerce.LicenseHolder (ProductId, ProductName, Purchaser, PurchaserName, UserId,
        DisplayName, UserPrincipalName, SubscriptionId, AssignedAt).
    #>
    [CmdletBinding()]
    [OutputType('MSCommerce.ProductLicense', 'MSCommerce.LicenseHolder')]
    param(
        [Parameter(ValueFromPipelineByPropertyName)]
        [string]$ProductId,

        [Parameter()]
        [string]$Token
    )

    process {
        try {
            if ([string]::IsNullOrEmpty($ProductId)) {
                $splatList = @{
                    Method       = 'GET'
                    Path         = '/v1.0/licenses/products'
                    Token        = $Token
                    ErrorContext = 'Failed to retrieve licenses'
                }
                foreach ($item in (Invoke-MSCommerceRestMethod @splatList).items) {
                    [pscustomobject]@{
                        PSTypeName        = 'MSCommerce.ProductLicense'
                        ProductId         = [string]$item.productId
                        ProductName       = [string]$item.productName
                        Scope             = [string]$item.scope
                        SubscriptionCount = [long]$item.subscriptionCount
                        AvailableQuantity = [long]$item.availableQuantity
                        AssignedCount     = [long]$item.assignedCount
                    }
                }
                return
            }
            $splatOne = @{
                Method        = 'GET'
                Path          = '/v1.0/licenses/products/{productId}'
                PathParameter = @{ productId = $ProductId }
                Token         = $Token
                ErrorContext  = "Failed to retrieve licenses of ProductId '$ProductId'"
                TargetObject  = $ProductId
            }
            $product = Invoke-MSCommerceRestMethod @splatOne
            foreach ($group in $product.purchasers) {
                foreach ($user in $group.users) {
                    [pscustomobject]@{
                        PSTypeName        = 'MSCommerce.LicenseHolder'
                        ProductId         = [string]$product.productId
                        ProductName       = [string]$product.productName
                        Purchaser         = [string]$group.purchaser.userPrincipalName
                        PurchaserName     = [string]$group.purchaser.displayName
                        UserId            = [string]$user.id
                        DisplayName       = [string]$user.displayName
                        UserPrincipalName = [string]$user.userPrincipalName
                        SubscriptionId    = [string]$user.subscriptionId
                        AssignedAt        = ConvertTo-MSCommerceUtcDateTime -Value $user.assignedAt
                    }
                }
            }
        }
        catch {
            Write-MSCommerceError -ErrorRecord $_ -Cmdlet $PSCmdlet
        }
    }
}
